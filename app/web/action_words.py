"""Every audit event type in words: the history and the audit trail name what happened, never by its code.

The codes stay what the audit trail stores and is searched by; people read these words. A test collects the
event types the code emits and fails on one without a word here.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Roles in words (a task can be offered to a role as well as to a group).
ROLE_WORDS = {
    "applicant": _l("Applicant"), "admin": _l("Administrator"), "process_owner": _l("Process owner"),
    "manager": _l("Manager"),
}

ACTION_WORDS = {
    "case.submitted": _l("Application submitted"),
    "case.received": _l("Case registered"),
    "case.supplement_ordered": _l("Supplement requested"),
    "case.complete": _l("Application found complete"),
    "case.decided": _l("Decision made"),
    "case.extended": _l("Deadline extended"),
    "case.withdrawn": _l("Application withdrawn"),
    "case.advised": _l("Advice sent: no permit needed"),
    "case.legal_force": _l("The decision has legal force"),
    "case.neighbours_notified": _l("Neighbours notified"),
    "case.own_initiative_supplement": _l("Material sent on the applicant's own initiative"),
    "case.supplement_received": _l("Supplement received"),
    "case.reply_did_not_remedy": _l("The reply did not remedy the gaps"),
    "case.decided_as_it_stands": _l("To be decided as it stands"),
    "case.hearing_exempted": _l("Neighbour hearing left out by a statutory exemption"),
    "case.hearing_closed": _l("Neighbour hearing closed"),
    "case.decision_taken": _l("Decision taken under the delegation order"),
    "case.referrals_sent": _l("Referrals sent"),
    "case.communicated": _l("Applicant given the chance to comment"),
    "hearing.party_added": _l("Party added to the hearing"),
    "hearing.party_removed": _l("Party removed from the hearing"),
    "hearing.response_recorded": _l("Party's answer recorded"),
    "engine.timer_fired": _l("Time reached"),
    "engine.cancelled": _l("Process ended"),
    "task.completed": _l("Task completed"),
    "task.claimed": _l("Task claimed"),
    "task.released": _l("Task released"),
    "message.received": _l("Message received"),
    "message.delivered": _l("Message delivered to the case"),
    "document.added": _l("Document added"),
    "handler.failed": _l("A step failed"),
    "incident.opened": _l("Handed to an administrator"),
    "incident.retried": _l("The failed step was run again"),
    "incident.skipped": _l("The failed step was skipped"),
    "case.status": _l("Status changed"),
    "engine.task_completed": _l("Step completed"),
    "engine.task_ready": _l("Task ready"),
    "engine.handler_called": _l("Automatic step done"),
    "engine.message_caught": _l("Message caught"),
    "letter.issued": _l("Letter sent"),
    "decision.served": _l("Decision served"),
    "decision.party_added": _l("Party to be served added"),
    "appeal.forwarded": _l("Appeal received in time and sent on"),
    "appeal.dismissed": _l("Late appeal dismissed"),
    "appeal.decided": _l("Appeal ruling recorded"),
    "case.contact_changed": _l("Contact person changed"),
    "conversation.message": _l("Message in the conversation"),
    "survey.invited": _l("Invited to the satisfaction survey"),
    "survey.reminded": _l("Reminded of the satisfaction survey"),
    "survey.answered": _l("The satisfaction survey was answered"),
    "survey.declined": _l("The satisfaction survey was declined"),
    "external_task.created": _l("Waiting for an integration"),
    "external_task.completed": _l("Integration done"),
    "external_task.failed": _l("An integration failed"),
    "engine.external_task_completed": _l("Integration step completed"),
    "task.assignee_unknown": _l("The assigned person is not a user"),
    "case.migrated": _l("Case moved to a new process version"),
    "case.moved_back": _l("Case moved back to an earlier step"),
    "case.overturned_on_appeal": _l("The decision was overturned on appeal"),
    "case.suspended": _l("Case suspended"),
    "case.resumed": _l("Case resumed"),
    "case.terminated": _l("Case terminated"),
    "engine.reset": _l("Step reset"),
    "engine.step_skipped": _l("Step skipped"),
    "task.reassigned": _l("Task reassigned"),
    "document.classified": _l("Document category changed"),
    "notice.published": _l("Published on the notice board"),
    "incident.moved_back": _l("The failed case was moved back to an earlier step"),
    "outbox.retried": _l("E-mail sent again"),
    "retention.redacted": _l("Personal data removed after the retention period"),
    "data.exported": _l("Data exported"),
    "insight.contacts_exported": _l("Contact list exported from insight"),
    "survey.cases_exported": _l("Survey answers exported"),
    "auth.login": _l("Signed in"),
    "auth.login_failed": _l("Sign-in failed"),
    "auth.logout": _l("Signed out"),
    "user.created": _l("User created"),
    "user.deleted": _l("User removed"),
    "user.password_changed": _l("Password changed"),
    "user.roles_changed": _l("Roles changed"),
    "user.groups_changed": _l("Work groups changed"),
    "user.token_issued": _l("API token issued"),
    "group.created": _l("Work group created"),
    "group.changed": _l("Work group changed"),
    "group.member_added": _l("Member added to a work group"),
    "group.member_removed": _l("Member removed from a work group"),
    "worker.issued": _l("Integration access issued"),
    "worker.revoked": _l("Integration access revoked"),
    "process.deployed": _l("Process version deployed"),
    "process.draft_saved": _l("Process draft saved"),
    "process.rolled_back": _l("Process rolled back to an earlier version"),
}


def action_word(action: str):
    """What the event ``action`` means, in the reader's language (the code itself for a type from an older release)."""
    return ACTION_WORDS.get(action, action)


def choices() -> list[tuple[str, object]]:
    """(code, words) of every event type, by code: what the audit search offers to filter on."""
    return sorted(ACTION_WORDS.items())
