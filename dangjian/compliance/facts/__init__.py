"""What the system knows about each organization, Party organization and member on a date —
computed once, set-based, and shared by the rules engine and the reports, so that a report
and `check` can never disagree.

Every fact is one query over the whole jurisdiction (a GROUP BY, or the rows that carry a
relation), combined in Python by primary key: the number of queries does not grow with the
number of organizations.

The facts are organized by section of the policy, each a class adding its facts to the one
before (`Facts` is them all):

- `base.py`: the jurisdiction, the date and the definitions (`org_base`,
  `member_employments`, `coverings`, `instructed`, `party_org_base`);
- `management.py` (二): units and what supervisory units manage;
- `backbone.py` (五): Party organizations, their members, offices and coverage;
- `coverage.py` (三): organizations, their members, coverage and instructors;
- `counts.py`: the same facts as SQL (`org_table`), which the reports count;
- `people.py`: facts per person (`people`, `per_person`);
- `life.py` (四.4): the periods of organization life in which a branch held no meeting it
  had to (`life_missing`; the grid of `dangjian.life.grid` is decided by the same code);
- `cadres.py` (五.3): the offices held in the Party organizations the rules check and their
  holders' trainings (`cadre_offices`, `cadre_trainings`), and the recommendations of
  leaders awaiting the Party organization's opinion (`pending_recommendations`);
- `bodies.py` (二.3): the districts and supervising units, and who held a 专题研究 in a year;
- `development.py` (四.3): the applicants developed by the Party organizations the rules
  check, and the members probationary on the date (`applicants`, `probationers`);
- `dues.py` (六.1): the members who paid no dues in the months before the date, the returns
  of dues short of what was paid up (`dues_lapsed`, `short_returns`);
- `dynamics.py` (三.3, 六.2): inspections without their Party-building section,
  rectifications past their deadline, the latest venue checks (`inspections_without_party`,
  `weak_overdue`, `venue_checks`).
"""

from __future__ import annotations

from dangjian.compliance.facts.backbone import PartyOrgFacts
from dangjian.compliance.facts.counts import LEVEL_RANKS, Profile
from dangjian.compliance.facts.coverage import ADOPTING_FORMS, Member, OrgFacts, RelationMember
from dangjian.compliance.facts.dynamics import DynamicsFacts
from dangjian.compliance.facts.people import PersonFacts

__all__ = [
    "ADOPTING_FORMS",
    "LEVEL_RANKS",
    "Facts",
    "Member",
    "OrgFacts",
    "PartyOrgFacts",
    "PersonFacts",
    "Profile",
    "RelationMember",
]


class Facts(DynamicsFacts):
    """The facts of one jurisdiction (`area`, None for all) on one date (`as_of`).

    Two readings of the same definitions: `orgs` and `party_orgs` build Python objects for
    the rules (which need each member's dates and relation); `org_table` and the counts
    below it are the same facts as SQL, for the reports, which the database counts. Both
    start from the same querysets (`org_base`, `member_employments`, `coverings`,
    `instructed`), so that a report and `check` cannot disagree (tested on random data)."""
