"""B2B meetings (issue 18). The scheduling engine lives in `scheduler`: plain Python, no Flask
and no database, and ortools is imported only when a schedule is asked for."""
