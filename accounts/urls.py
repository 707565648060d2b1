from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import people_views, sso, twofactor_views, views

urlpatterns = [
    path("login/", twofactor_views.LoginView.as_view(), name="login"),
    path("login/verify/", twofactor_views.login_verify, name="login_verify"),
    path("second-factor/enrol/", twofactor_views.enrol, name="twofactor_enrol"),
    path("second-factor/recovery-codes/", twofactor_views.recovery_codes, name="twofactor_codes"),
    path("second-factor/recovery-codes/new/", twofactor_views.recovery_codes_renew, name="twofactor_codes_renew"),
    path("second-factor/remove/", twofactor_views.remove, name="twofactor_remove"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Single sign-on (accounts/sso.py): 404 unless OIDC_ENABLED.
    path("sso/login/", sso.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("sso/callback/", sso.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("profile/", views.profile, name="profile"),
    path("profile/digest/", views.daily_digest, name="daily_digest"),
    path("profile/sessions/", views.session_list, name="sessions"),
    path("profile/sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("profile/sessions/<slug:public_id>/end/", views.session_end, name="session_end"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/",
         auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
         name="password_reset_confirm"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    # People administration (administrators; regional administrators for their region's officials).
    path("people/", people_views.people_list, name="people"),
    path("people/invite/", people_views.person_invite, name="people_invite"),
    path("people/<int:pk>/", people_views.person_detail, name="person"),
    path("people/<int:pk>/role/", people_views.person_role, name="person_role"),
    path("people/<int:pk>/access/", people_views.person_access, name="person_access"),
    path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people_views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/second-factor/reset/", people_views.person_reset_second_factor,
         name="person_reset_second_factor"),
    path("people/<int:pk>/invitation/resend/", people_views.person_invitation_resend, name="person_invitation_resend"),
    path("people/<int:pk>/invitation/revoke/", people_views.person_invitation_revoke, name="person_invitation_revoke"),
    # The invited person's link (public: the token is the credential).
    path("invitation/<str:token>/", people_views.invitation_accept, name="invitation_accept"),
]
