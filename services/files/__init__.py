"""Files in and out: atomic writes, table files and workbooks, imports and exports."""
