"""`gongshi import KIND FILE`: read a CSV or XLSX file, validate every row, then store all or nothing."""
