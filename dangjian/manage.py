"""The `dangjian` console script: Django's manage.py under the project's name."""

import os
import signal
import sys


def main() -> None:
    # Piped into `head` and the like: end quietly, as command-line tools do.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
