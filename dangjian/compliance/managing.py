"""管理主体 — who manages an organization's Party work (POLICY 2.2), in the policy's order:
1. registered directly by civil affairs → the civil-affairs department that registered it;
2. needing a business supervisory unit → that unit;
3. either of these delegating, with approval (委托) → the township Party organization of the
   registration address;
4. small and closely tied to a township or community → that township or community Party
   organization.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.areas.models import UnitKind
from dangjian.orgs.models import PartyManagement, RegistrationMode


@dataclass(frozen=True)
class ManagingBody:
    kind: str  # "registry", "supervisor", "township", "community"
    key: str  # unit name or area code
    label: str  # what a page shows, e.g. 芙蓉区民政局 or 文艺路街道党组织


@dataclass(frozen=True)
class Unmanageable:
    """Why the data does not let the managing body be computed (rule MGT-ASSIGNED)."""

    reason: str


def managing_body(
    *,
    registration_mode: str,
    party_management: str,
    registry: tuple[str, str] | None,  # (name, kind) of the registry unit
    supervisor: tuple[str, str] | None,  # (name, kind) of the supervisory unit
    township: tuple[str, str],  # (code, name)
    community: tuple[str, str] | None,  # (code, name)
) -> ManagingBody | Unmanageable:
    if party_management == PartyManagement.COMMUNITY:
        if community is None:
            return Unmanageable("党建管理方式为「属地村(社区)」，但未登记所在村(社区)")
        return ManagingBody("community", community[0], f"{community[1]}党组织")
    if party_management in (PartyManagement.TOWNSHIP, PartyManagement.DELEGATED_TOWNSHIP):
        return ManagingBody("township", township[0], f"{township[1]}党组织")
    if registration_mode == RegistrationMode.SUPERVISED:
        if supervisor is None:
            return Unmanageable("登记方式为「业务主管单位」，但未登记业务主管单位")
        if supervisor[1] != UnitKind.SUPERVISORY:
            return Unmanageable(f"登记的业务主管单位「{supervisor[0]}」不是业务主管单位")
        return ManagingBody("supervisor", supervisor[0], supervisor[0])
    if registry is None or registry[1] != UnitKind.CIVIL_AFFAIRS:
        return Unmanageable("直接登记，但登记管理机关不是民政部门")
    return ManagingBody("registry", registry[0], registry[0])
