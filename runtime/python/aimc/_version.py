"""The release of the aimc package: the project's (dkms.conf's PACKAGE_VERSION;
tests/python/test_packaging.py holds them equal)."""
__version__ = "1.0.0"
