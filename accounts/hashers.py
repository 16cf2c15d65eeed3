"""How passwords are stored (docs/decisions/0033-password-hashing.md)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id with RFC 9106's second recommended parameters (section 4: three passes over
    64 MiB), as argon2-cffi's own PasswordHasher sets them, with four lanes rather than
    Django's eight: memory-hard, where PBKDF2 is not, for about two thirds of the CPU of
    Django's PBKDF2 at 1,000,000 iterations. Hashes keep Django's "argon2" format: a stored
    hash with other parameters is rehashed at its next sign-in (must_update)."""

    time_cost = 3
    memory_cost = 65536  # KiB
    parallelism = 4
