"""Regression jobs: every registered reference method's artifact (generated once per content
hash, then cached) and every demo baseline, scored on every phase of its track's demo by the
same dispatch the platform's workers use, compared with ``reference_solutions/expected.json``.

  python -m reference_solutions regress [--demo-dir var/regress/BUDGET] [--budget quick|full]
                                        [--tracks face,driving] [--seed 0] [--record] [--json OUT]
"""
