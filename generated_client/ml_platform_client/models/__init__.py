"""Contains all the data models used in inputs/outputs"""

from .alternative import Alternative
from .availability import Availability
from .cluster import Cluster
from .code_archive import CodeArchive
from .cpu_budget import CpuBudget
from .dry_run_result import DryRunResult
from .gpu_pool import GpuPool
from .identity import Identity
from .job import Job
from .job_create import JobCreate
from .job_create_environment import JobCreateEnvironment
from .job_create_hyperparameters import JobCreateHyperparameters
from .job_environment import JobEnvironment
from .job_hyperparameters import JobHyperparameters
from .job_list import JobList
from .job_metrics import JobMetrics
from .job_metrics_latest import JobMetricsLatest
from .log_line import LogLine
from .log_page import LogPage
from .memory_budget import MemoryBudget
from .metric_point import MetricPoint
from .metric_point_values import MetricPointValues
from .problem import Problem
from .resources import Resources

__all__ = (
    "Alternative",
    "Availability",
    "Cluster",
    "CodeArchive",
    "CpuBudget",
    "DryRunResult",
    "GpuPool",
    "Identity",
    "Job",
    "JobCreate",
    "JobCreateEnvironment",
    "JobCreateHyperparameters",
    "JobEnvironment",
    "JobHyperparameters",
    "JobList",
    "JobMetrics",
    "JobMetricsLatest",
    "LogLine",
    "LogPage",
    "MemoryBudget",
    "MetricPoint",
    "MetricPointValues",
    "Problem",
    "Resources",
)
