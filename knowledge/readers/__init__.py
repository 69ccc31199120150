"""One module per file format; each has ``read(data: bytes, name: str, info: ReadInfo)`` returning
``list[SourceDocument]`` made of the blocks of :mod:`knowledge.blocks`, raising ``Unloadable``
with a short reason. :mod:`knowledge.loaders` picks the module by suffix."""
