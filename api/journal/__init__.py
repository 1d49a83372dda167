"""The clinician's journal note: the only thing a consult keeps."""
