#!/usr/bin/env python
"""Django's command line, prepared as ``powerdesk`` prepares it (see :mod:`powerdesk.launcher`)."""

import os
import sys

if __name__ == "__main__":
    from powerdesk import launcher

    launcher.launch(launcher.role_for_command(sys.argv[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
