"""The school scheme's public names in one place (SPEC S-1…S-16), for the actions, papers,
templates and tests that say ``from . import model as sc``. The code lives in:
schema.py (sheet names, 设置 items, columns), read.py (`load`: the input sheets →
``SchoolData``), checks.py (LOG_CHECKS, TABLE_CHECKS), compute.py (periods, totals, the
award list) and render.py (the output sheets)."""
from __future__ import annotations

from .checks import (LAST_CELL_CHECK, LOG_CHECKS, REPORTED_TOGETHER, TABLE_CHECKS,  # noqa: F401
                     WEEKLY_SINGLE_MARKS, LogCheck, LogContext, LogRow, TableCheck,
                     check_code_known, check_code_present, check_collective_members, check_duplicate,
                     check_explicit_value, check_in_semester, check_item_matches, check_name_matches,
                     check_student_active, check_student_known, check_target_present,
                     check_weekly_single, parse_target, check_recorder_role, check_excused_by_leave, holds_role)
from .compute import (Award, Awards, awards_final, data_end, resolve_month, resolve_week,  # noqa: F401
                      semester_awards, special_marks, totals_by_sid)
from .data import DerivedSource, SchoolData, code_matcher, default_cadre_double, student_matcher  # noqa: F401
from .read import DERIVED_SOURCES, load  # noqa: F401
from .render import (LIMIT_LABELS, TREND_COLS, award_outputs, month_outputs, render_awards,  # noqa: F401
                     trend_charts, trend_outputs, week_label, week_outputs)
from .schema import (AWARD_COLS, AWARDS, EXPECTED_HEADERS, FINAL, LOG, LOG_COLS, MONTHLY,  # noqa: F401
                     MONTHLY_COLS, PARENT_COLS, PARENT_MEETING, PROVISIONAL, ROSTER, ROSTER_COLS,
                     RULE_COLS, RULES, SELF_STUDY, SELF_STUDY_COLS, SETTING_SCHEMA, SETTINGS,
                     SHEETS_READ, SPECIAL_AWARD, TARGET_KINDS, TIERS, TREND, WEEKLY, WEEKLY_COLS,
                     WHOLE_CLASS)
