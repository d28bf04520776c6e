"""The organisers' round work that the round page does, as API operations through the same
services: inviting jury members, the assignment proposal and committing it, and the order of
tied entries. Also the jury member's own ties (the "Ties" page), from which conflicts of
interest are found."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import errors
from common.identity import InvalidEmail, canonical_email
from common.models import User
from jury import certificates, invitations, selectors, services
from jury.compute import solver
from jury.enums import TieKind
from jury.models import JurorTie


class InvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="Who is invited.")
    name = serializers.CharField(
        max_length=150,
        required=False,
        default="",
        allow_blank=True,
        help_text="Their name, for a new account.",
    )

    def validate_email(self, value: str) -> str:
        try:
            return canonical_email(value)
        except InvalidEmail as error:
            raise ValidationError(error.message) from None


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The jury membership.")
    email = serializers.EmailField(source="user.email")
    invited_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)


class LoadSerializer(serializers.Serializer):
    juror = serializers.IntegerField(help_text="The jury member's user id.")
    email = serializers.EmailField()
    entries = serializers.IntegerField(help_text="How many entries they get.")


class CoverageSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    jurors = serializers.ListField(child=serializers.IntegerField(), help_text="User ids.")


class ProposalSerializer(serializers.Serializer):
    feasible = serializers.BooleanField(help_text="false: no assignment fits; see `reasons`.")
    hash = serializers.CharField(allow_null=True, help_text="Commit the proposal with this.")
    loads = LoadSerializer(many=True)
    entries = CoverageSerializer(many=True)
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why no assignment fits (Dutch)."
    )


class CommitSerializer(serializers.Serializer):
    hash = serializers.CharField(max_length=64, help_text="The `hash` of the proposal shown.")


class ChangesSerializer(serializers.Serializer):
    changes = serializers.IntegerField(help_text="Assignments added plus removed.")


class TieOrderSerializer(serializers.Serializer):
    entries = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=2,
        max_length=500,
        help_text="The tied entries' ids, best first.",
    )
    reason = serializers.CharField(max_length=2000, help_text="Why this order (audited).")


class TieDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entries = serializers.ListField(child=serializers.IntegerField(), source="order")
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()


class JurorTieSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=TieKind.choices)
    value = serializers.CharField(
        max_length=200, help_text="A municipality, province or organisation."
    )

    class Meta:
        model = JurorTie
        fields = ["id", "kind", "value"]
        read_only_fields = ["id"]


class Invitations(APIView):
    @extend_schema(
        summary="Invite someone to the round's jury (organisers)",
        description="As on the round page: an account (role juror) when there is none, and "
        "an e-mail with a link to accept, valid for 7 days and once. Inviting again sends a "
        "new link.",
        request=InvitationSerializer,
        responses={201: MemberSerializer, **errors(400, 404, 415)},
    )
    def post(self, request, pk: int):
        round_ = selectors.organiser_round(request.user, pk)
        data = InvitationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = invitations.invite_juror(round_=round_, actor=request.user, **data.validated_data)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class AssignmentProposal(APIView):
    @extend_schema(
        summary="Propose an assignment of entries to jury members (organisers)",
        description="Balanced and free of conflicts of interest, as the round page proposes "
        "it; submitted reviews stay where they are. Nothing is saved: commit the proposal "
        "with its `hash`.",
        request=None,
        responses={200: ProposalSerializer, **errors(404)},
    )
    def post(self, request, pk: int):
        round_ = selectors.organiser_round(request.user, pk)
        proposal = services.propose_assignment(round_=round_)
        if isinstance(proposal, solver.Infeasible):
            return Response(
                {
                    "feasible": False,
                    "hash": None,
                    "loads": [],
                    "entries": [],
                    "reasons": services.infeasible_reasons(proposal),
                }
            )
        emails = dict(User.objects.filter(pk__in=proposal.loads).values_list("pk", "email"))
        return Response(
            {
                "feasible": True,
                "hash": services.proposal_hash(proposal),
                "reasons": [],
                "loads": [
                    {"juror": u, "email": emails[u], "entries": n}
                    for u, n in sorted(proposal.loads.items())
                ],
                "entries": [
                    {"entry": e, "jurors": sorted(jurors)}
                    for e, jurors in sorted(proposal.by_entry.items())
                ],
            }
        )


class CommitAssignment(APIView):
    @extend_schema(
        summary="Commit the proposed assignment (organisers)",
        description="The proposal is computed again; when it is no longer the one with this "
        "`hash` (a member, conflict or review changed), 400 with code `stale_proposal`: ask "
        "for a new proposal. Open assignments not in it go; submitted reviews stay.",
        request=CommitSerializer,
        responses={200: ChangesSerializer, **errors(400, 404, 415)},
    )
    def post(self, request, pk: int):
        round_ = selectors.organiser_round(request.user, pk)
        data = CommitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = services.commit_shown_assignment(
            round_=round_, shown=data.validated_data["hash"], actor=request.user
        )
        return Response({"changes": changes})


class TieDecisions(APIView):
    @extend_schema(
        summary="Order entries the tie rule leaves tied, with a reason (organisers)",
        description="While the round is open, as on the ranking page. The entries must be "
        "tied with each other in the current ranking (400, code `not_a_tie`).",
        request=TieOrderSerializer,
        responses={201: TieDecisionSerializer, **errors(400, 404, 409, 415)},
    )
    def post(self, request, pk: int):
        round_ = selectors.organiser_round(request.user, pk)
        data = TieOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = certificates.decide_tie(
            round_=round_,
            order=data.validated_data["entries"],
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        return Response(TieDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class MyTies(APIView):
    @extend_schema(
        summary="Your ties as a jury member", responses={200: JurorTieSerializer(many=True)}
    )
    def get(self, request):
        ties = JurorTie.objects.filter(user=request.user).order_by("kind", "value", "pk")
        return Response(JurorTieSerializer(ties, many=True).data)

    @extend_schema(
        summary="Record a tie: a place, an organisation, a board seat",
        description="Conflicts of interest are found from these. The same tie twice is kept once.",
        request=JurorTieSerializer,
        responses={201: JurorTieSerializer, **errors(400, 415)},
    )
    def post(self, request):
        data = JurorTieSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tie = services.add_tie(user=request.user, **data.validated_data)
        return Response(JurorTieSerializer(tie).data, status=status.HTTP_201_CREATED)


class MyTie(APIView):
    @extend_schema(summary="Remove one of your ties", responses={204: None, **errors(404)})
    def delete(self, request, pk: int):
        tie = get_object_or_404(JurorTie, user=request.user, pk=pk)
        services.remove_tie(user=request.user, pk=tie.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
