"""Workbook layer: read input sheets, write output sheets, build templates."""
