from django.urls import path

from . import payment_views, settlement_views, views

app_name = "agreements"

urlpatterns = [
    path("projects/<int:pk>/prepare/", views.agreement_prepare, name="prepare"),
    path("versions/<int:pk>/", views.version_page, name="version"),
    path("versions/<int:pk>/issue/", views.version_issue, name="issue"),
    path("versions/<int:pk>/accept/", views.version_accept, name="accept"),
    path("documents/<int:pk>/download/", views.document_download, name="download"),
    path("<int:pk>/amend/", views.amendment_request, name="amend"),
    path("<int:pk>/compare/", views.version_compare, name="compare"),
    path("amendments/<int:pk>/", views.amendment_page, name="amendment"),
    path("amendments/<int:pk>/decide/", views.amendment_decide, name="amendment_decide"),
    path("calls/<int:pk>/amendment-policy/", views.amendment_policy, name="amendment_policy"),
    path("amendments/attachments/<int:pk>/", views.amendment_attachment, name="amendment_attachment"),
    # Payments: the project money page, the schedule, a payment, carry-over (agreements.payment_views).
    path("projects/<int:pk>/money/", payment_views.project_money, name="project_money"),
    path("<int:pk>/schedule/", payment_views.schedule_edit, name="schedule"),
    path("<int:pk>/schedule/generate/", payment_views.schedule_generate, name="schedule_generate"),
    path("instalments/<int:pk>/pay/", payment_views.payment_record, name="payment_record"),
    path("<int:pk>/carry-over/", payment_views.carry_over_request, name="carry_over"),
    path("carry-overs/<int:pk>/decide/", payment_views.carry_over_decide, name="carry_over_decide"),
    # Year-end settlement (agreements.settlement_views): per agreement × year, and the staff list per call.
    path("settlements/", settlement_views.settlement_list, name="settlements"),
    path("<int:pk>/settlements/<int:year>/", settlement_views.settlement_page, name="settlement"),
    path("<int:pk>/settlements/<int:year>/open/", settlement_views.settlement_open, name="settlement_open"),
    path("settlements/<int:pk>/items/", settlement_views.settlement_item_add, name="settlement_item_add"),
    path("settlement-items/<int:pk>/remove/", settlement_views.settlement_item_remove, name="settlement_item_remove"),
    path("settlements/<int:pk>/move/", settlement_views.settlement_move, name="settlement_move"),
    path("settlements/<int:pk>/repayments/", settlement_views.settlement_repayment, name="settlement_repayment"),
    path("settlements/<int:pk>/sanctions/", settlement_views.settlement_sanction, name="settlement_sanction"),
    path("settlement-documents/<int:pk>/download/", settlement_views.settlement_download,
         name="settlement_download"),
]
