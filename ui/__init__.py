"""PySide6 user interface: windows, views, Qt item models and workers. No business logic here."""
