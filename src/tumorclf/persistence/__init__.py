"""Model files: atomic writes, signed pickles, skops with a trusted-type list,
manifests, the champion."""
