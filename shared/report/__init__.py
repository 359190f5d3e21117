"""`montour report`: the office's statistics over a period (issue 6, point 5).

visits.py rebuilds one record per visit from the event log; tables.py makes the figures per
service × day with totals and the suppression rule; source.py reads a hub's database
read-only; charts.py and charts_grid.py draw the PNG charts; cli.py is the command.
"""
