"""Pure core: nothing here imports Excel, xlwings, openpyxl or calamine."""
