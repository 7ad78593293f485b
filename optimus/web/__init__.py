"""The local web app of ``optimus serve`` (see :mod:`optimus.web.server`)."""
