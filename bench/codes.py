"""The second-factor code a staff account's authenticator shows now, for the bench's log-ins
(the demo's staff are enrolled by seed_demo with the published demo key). Needs Django set up."""

import time


def second_factor_code(user) -> str:
    """accounts.totp_codes' usable code of `user`'s authenticator; if this window's code was
    used already and the next is not accepted yet, wait for the next window."""
    from accounts.twofactor import confirmed_totp_device, usable_code

    for _ in range(3):
        code = usable_code(confirmed_totp_device(user))
        if code is not None:
            return code
        time.sleep(30 - time.time() % 30 + 0.5)
    raise SystemExit(f"no second-factor code for {user.username}")
