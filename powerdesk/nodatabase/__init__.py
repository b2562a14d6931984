"""The database backend of a process that no launcher prepared (see :mod:`powerdesk.launcher`)."""
