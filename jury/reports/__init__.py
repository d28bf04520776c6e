"""What organisers read and download, each built once for the page, the API and the exports:
the round exports (``rounds``), the whole edition's workbook (``edition``) and the
organisers' home (``workspace``)."""
