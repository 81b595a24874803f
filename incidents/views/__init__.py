"""Deviation pages, one module per page group: reporting (:mod:`.report`), one deviation and its moves
(:mod:`.deviation`), the lists and the export (:mod:`.lists`), log review (:mod:`.log`).

Thin: check the permission, read through :mod:`incidents.selectors`, write through the services.
"""

from incidents.views.deviation import (
    DEVIATION_FORMS,
    STEP_FORMS,
    attachment_download,
    deviation_detail,
    deviation_pdf,
    deviation_step,
)
from incidents.views.lists import assessment_queue, deviation_export, deviation_list, my_reports_view
from incidents.views.log import access_log, unrouted_cases
from incidents.views.report import deviation_create, deviation_edit

__all__ = [
    "DEVIATION_FORMS",
    "STEP_FORMS",
    "access_log",
    "assessment_queue",
    "attachment_download",
    "deviation_create",
    "deviation_detail",
    "deviation_edit",
    "deviation_export",
    "deviation_list",
    "deviation_pdf",
    "deviation_step",
    "my_reports_view",
    "unrouted_cases",
]
