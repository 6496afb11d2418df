Attribute VB_Name = "JifenButtons"
' jifen-xl workbook buttons.
'
' Each Sub below is bound to one button on a sheet and hands over to its
' Python companion in jifen_xl.macros through xlwings' RunPython (the xlwings
' VBA module is embedded in the same project). The import string is always
' explicit: xlwings' "module named like the workbook" convention breaks for
' workbook names that are not ASCII.
'
' Keep this file ASCII-only. VBA stores module text in the project code page
' (1252), so button captions and messages in Chinese live on the Python side.
Option Explicit

' Button: check the data entered so far
Public Sub JifenCheck()
    RunPython "import jifen_xl.macros as m; m.check_data_caller()"
End Sub

' Button: summary of the current week
Public Sub JifenWeek()
    RunPython "import jifen_xl.macros as m; m.week_summary_caller()"
End Sub

' Button: monthly report
Public Sub JifenMonth()
    RunPython "import jifen_xl.macros as m; m.month_report_caller()"
End Sub

' Button: end-of-semester awards
Public Sub JifenAwards()
    RunPython "import jifen_xl.macros as m; m.semester_awards_caller()"
End Sub

' Button: compute the current quarter
Public Sub JifenQuarter()
    RunPython "import jifen_xl.macros as m; m.compute_quarter_caller()"
End Sub

' Button: annual star ratings
Public Sub JifenYear()
    RunPython "import jifen_xl.macros as m; m.annual_stars_caller()"
End Sub

' Button: points added or deducted for exams
Public Sub JifenExams()
    RunPython "import jifen_xl.macros as m; m.exams_caller()"
End Sub

' Button: compute ledger points
Public Sub JifenLedger()
    RunPython "import jifen_xl.macros as m; m.ledger_caller()"
End Sub

' Button: print passbooks
Public Sub JifenPassbook()
    RunPython "import jifen_xl.macros as m; m.passbook_caller()"
End Sub
