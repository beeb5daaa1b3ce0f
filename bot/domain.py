"""The career domain's conventions that generic stages
rely on: entity types of places, what the profile holds.

Everything else about careers is content (YAML). The engine still runs content with none of these
types (CLINC150): each rule here then simply never applies.
"""

from __future__ import annotations

#: when one alias names entities of several types, the placeholder takes the first type here
ENTITY_PRIORITY = (
    "company",
    "level",
    "region",
    "state",
    "specialisation",
    "role",
    "industry",
    "certification",  # "TensorFlow certificate" names the certificate more than the skill
    "skill",
    "association",
    "job_site",
)
#: place types, finest first: a region (a city) names its state in its `state` field
PLACE_TYPES = ("region", "state")
CITY, STATE = PLACE_TYPES
#: the entity type of employers: a question read as one taking it is about a company (`gaps`)
COMPANY = "company"
#: entity types that make a question about the domain's own work (see out-of-scope terms)
SUBJECT_TYPES = ("role", "specialisation")
#: slot types the profile can fill when a question leaves them empty: entity type -> profile field
#: (skills are not here: the skills someone has are not the skill they ask about)
PROFILE_FIELDS = {
    "level": "level",
    "role": "role",
    "region": "region",
    "state": "state",
    "specialisation": "interests",
}
