"""Every stage of the pipeline, each trained through `laom.stages.runner.run_stage`: the runner, stage 1 (the latent
action model), the actor stages, the IDM baseline and the observation decoders (sources: nbs/30-34_stages.*)."""
from .runner import *
from .lam import *
from .actor import *
from .idm import *
from .obs_decoder import *
from ..config import ObservationDecoderConfig   # where it lived before the stages became a package
