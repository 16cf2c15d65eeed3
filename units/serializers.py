"""API shapes for units (output only: units are written by the reference loader and the admin)."""

from rest_framework import serializers

from units.models import Unit, UnitChange


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]


class UnitSerializer(serializers.ModelSerializer):
    parent = UnitRefSerializer(read_only=True, allow_null=True)  # null for a province

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "level",
            "division_type",
            "parent",
            "valid_from",
            "valid_to",
        ]


class PredecessorSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="predecessor.id")
    code = serializers.CharField(source="predecessor.code")
    name = serializers.CharField(source="predecessor.name")
    partial = serializers.BooleanField(source="is_partial")
    method = serializers.ChoiceField(
        choices=UnitChange.Method.choices,
        read_only=True,
        help_text=(
            "How the link was established, surest first: official (Resolution 202/2025/QH15, "
            "provinces); note (the official note names the old unit); note-fuzzy (the note "
            "names it with a typo, another spelling or a cut-off name); code (the new commune "
            "kept the old one's code); name (a new commune without a note bears the old one's "
            "name); residue (no note names the old commune, and only one new commune without a "
            "note was formed from its district); manual (checked by hand, reason in "
            "fixtures/units/lineage_manual.csv); derived (a district's link, from its "
            "communes')."
        ),
    )

    class Meta:
        model = UnitChange
        fields = ["id", "code", "name", "changed_on", "kind", "partial", "legal_basis", "method"]


class SuccessorSerializer(PredecessorSerializer):
    id = serializers.IntegerField(source="successor.id")
    code = serializers.CharField(source="successor.code")
    name = serializers.CharField(source="successor.name")


class UnitDetailSerializer(UnitSerializer):
    children_count = serializers.IntegerField(read_only=True)
    predecessors = PredecessorSerializer(source="changes_in", many=True, read_only=True)
    successors = SuccessorSerializer(source="changes_out", many=True, read_only=True)

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "children_count", "predecessors", "successors"]
