"""How passwords are stored (docs/decisions/0033-password-hashing.md)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (Argon2id already) with other costs: RFC 9106's second
    recommended memory and passes (section 4: three passes over 64 MiB), in one lane, as
    OWASP's settings are (four lanes, in threads, cost up to a quarter more CPU here, for the
    same work an attacker must do). Memory-hard, where PBKDF2 is not, for about two thirds
    of the CPU of Django's PBKDF2 at 1,000,000 iterations. Hashes keep Django's "argon2"
    format: one stored with other parameters is stored again with these at its next sign-in
    (must_update)."""

    time_cost = 3
    memory_cost = 65536  # KiB
    parallelism = 1
