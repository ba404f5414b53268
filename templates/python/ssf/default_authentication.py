"""The default session authentication module, compatible with upstream's: one test user, `test`
with password `123456`, whose user id is "1". --enable-session-authentication uses it when
--session-authentication-module-file names no file of yours; give your own module for real users
(the server warns in its log while this one is in use).

A module for gc-ssf defines authenticate_user(username, password) returning None to refuse, or
the user id (a string) to let the user in; the id reaches request() as meta["user_id"]."""
import hmac

_TEST_USERS = {"test": ("123456", "1")}


def authenticate_user(username: str, password: str):
    password_and_id = _TEST_USERS.get(username)
    if password_and_id is None:
        return None
    expected, user_id = password_and_id
    if hmac.compare_digest(password.encode(), expected.encode()):
        return user_id
    return None
