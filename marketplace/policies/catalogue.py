"""Reference data the administrators keep: specifications, checkpoints and their criteria,
procurement thresholds. Published catalogue pages are public and exempt from ownership."""

from marketplace.models import Checkpoint, Criterion, ProcurementThreshold, ServiceSpecification

from .people import is_admin, is_css_leader
from .rules import declare

declare(ServiceSpecification, view=lambda user, spec: True, edit=is_admin,
        not_found="There is no specification with that code")
declare(ProcurementThreshold, view=is_admin, edit=is_admin)
declare(Checkpoint, view=lambda user, checkpoint: True, edit=is_admin,
        submit=is_css_leader, not_found="There is no such checkpoint")
declare(Criterion, view=is_admin, edit=is_admin)
