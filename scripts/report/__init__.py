"""The KPI dashboard (`make report`): one self-contained HTML file built from the public marts of a built database.

- `data` reads the scorecard and the KPI marts (read-only) into plain records,
- `charts` turns them into Plotly figures,
- `render` fills the Jinja template (templates/dashboard.html.j2) with the cards and the figures.

`scripts/report_dashboard.py` is the command line.
"""
