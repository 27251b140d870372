# Uploaded files: names, types, virus scanning.
