"""Lex Maria: cases, their steps, reminders and the IVO report (SPEC §6)."""
