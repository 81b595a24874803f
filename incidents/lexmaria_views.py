"""Lex Maria views: the queue, a case with its steps, the step forms and the investigation PDF."""

from django.http import HttpResponse


def queue(request):
    return HttpResponse("")


def detail(request, pk: int):
    return HttpResponse("")


def step(request, pk: int, step: str):
    return HttpResponse("")


def investigation_pdf(request, pk: int):
    return HttpResponse("")
