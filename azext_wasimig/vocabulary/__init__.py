"""The words the phases share: Kubernetes objects (kubernetes.py) and WASI signals (wasi.py). Pure, no imports
beyond the standard library: every phase may use them, they use nothing of the extension."""
