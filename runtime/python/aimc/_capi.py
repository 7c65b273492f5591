"""libaimc's C API as ctypes sees it: the structs, constants and function
prototypes of runtime/include/aimc.h, aimc_net.h and aimc_stream.h, each
function with the symbol version it was added in (runtime/libaimc.map).

This file mirrors the headers by hand; tests/python/test_capi.py compares
it with them (every function, struct member and constant), so a header
change that is not made here fails ``make check``.
"""
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double, c_int,
                    c_int32, c_int64, c_size_t, c_uint, c_uint32, c_uint64, c_void_p)

# The API the package binds: libaimc.so.2, symbol versions up to AIMC_2.1.
SONAME = "libaimc.so.2"
API_VERSION = (2, 1)

BACKEND_AUTO, BACKEND_DRM, BACKEND_SIM = 0, 1, 2
AIMC_SIM_NOISE_FREE = 0x1
AIMC_SIM_STUCK = 0x2
AIMC_TEMPERATURE_NONE = -(1 << 31)
AIMC_TELEMETRY_ENERGY = 0x1
AIMC_TELEMETRY_ENERGY_KINDS = 0x2
AIMC_TELEMETRY_PRESET = 0x4
AIMC_NET_NO_PROGRAM = 0x1
AIMC_PROGRAM_OPEN_LOOP = 0x1
AIMC_PROGRAM_NAIVE = 0x2
AIMC_PROGRAM_NO_TARGET_STEP = 0x4
AIMC_PROGRAM_NO_COMPENSATION = 0x8
AIMC_PROGRAM_PRECISION_AWARE = 0x10
AIMC_PROGRAM_MAX_ROUNDS = 1000
AIMC_PROGRAM_MAX_PULSES_PER_CELL = 65535
AIMC_PROGRAM_MAX_PULSES_PER_ROUND = 127
AIMC_REFRESH_DEFAULT_AGE_NS = 10000000000
AIMC_REFRESH_AUTO = 0x1
AIMC_REFRESH_COMPENSATE = 0x2
AIMC_REFRESH_COMPENSATE_GLOBAL = 0x4
AIMC_COMPENSATE_REFERENCE = 0x1
AIMC_COMPENSATE_GLOBAL = 0x2
AIMC_FINISH_KEEP_STATE = 0x1


class DeviceInfoStruct(Structure):
    _fields_ = [("backend", c_uint32), ("device_id", c_uint32), ("hw_version", c_uint32),
                ("abi_version", c_uint32), ("serial", c_uint32), ("num_tiles", c_uint32),
                ("tile_rows", c_uint32), ("tile_cols", c_uint32), ("dac_bits", c_uint32),
                ("adc_bits", c_uint32), ("g_min_nsiemens", c_uint32),
                ("g_max_nsiemens", c_uint32), ("sram_kib", c_uint32),
                ("stream_slots", c_uint32), ("queue_depth", c_uint32), ("node", c_char * 64)]


class SimOptionsStruct(Structure):
    _fields_ = [("seed", c_uint64), ("flags", c_uint32), ("tiles", c_uint32),
                ("rows", c_uint32), ("cols", c_uint32), ("slots", c_uint32),
                ("stuck_gmin_ppm", c_uint32), ("stuck_gmax_ppm", c_uint32),
                ("preset", c_uint32), ("reserved", c_uint32 * 6)]


class TelemetryStruct(Structure):
    _fields_ = [("commands", c_uint64), ("busy_ns", c_uint64), ("pulses", c_uint64),
                ("jobs_done", c_uint64), ("jobs_failed", c_uint64), ("clock_ns", c_uint64),
                ("resets", c_uint32), ("tiles_in_use", c_uint32), ("slots_in_use", c_uint32),
                ("temperature_mc", c_int32), ("energy_fj", c_uint64), ("energy_dac_fj", c_uint64),
                ("energy_xbar_fj", c_uint64), ("energy_adc_fj", c_uint64),
                ("energy_dpu_fj", c_uint64), ("energy_program_fj", c_uint64), ("mvms", c_uint64),
                ("dac_conversions", c_uint64), ("adc_conversions", c_uint64),
                ("dpu_muls", c_uint64), ("dpu_adds", c_uint64), ("flags", c_uint32),
                ("preset", c_uint32)]


class ModelInfoStruct(Structure):
    _fields_ = [("d_input", c_uint32), ("d_output", c_uint32), ("n_classes", c_uint32),
                ("n_layers", c_uint32), ("crossbars", c_uint32), ("weights", c_uint32),
                ("weight_bits", c_uint32), ("max_chunk", c_uint32)]


class NetInfoStruct(Structure):
    _fields_ = [("d_input", c_uint32), ("d_output", c_uint32), ("n_classes", c_uint32),
                ("n_layers", c_uint32), ("slots_per_stream", c_uint32), ("segments", c_uint32),
                ("mvms_per_step", c_uint32), ("tiles", c_uint32), ("cells", c_uint32),
                ("max_chunk", c_uint32), ("programmed", c_uint32), ("crossbars", c_uint32),
                ("refresh_due", c_uint32), ("refreshes", c_uint32), ("age_ns", c_uint64),
                ("baseline_fj_per_step", c_uint64), ("baseline_fj_per_sequence", c_uint64),
                ("compensations", c_uint32), ("reserved", c_uint32)]


class ProgramParamsStruct(Structure):
    _fields_ = [("tolerance_nsiemens", c_uint32), ("max_rounds", c_uint32),
                ("max_pulses_per_cell", c_uint32), ("max_pulses_per_round", c_uint32),
                ("flags", c_uint32), ("stall_rounds", c_uint32), ("band_per_code_pct", c_uint32),
                ("reserved", c_uint32 * 1)]


class ProgramProgressStruct(Structure):
    _fields_ = [("size", c_uint32), ("tile_index", c_uint32), ("tiles", c_uint32),
                ("round", c_uint32), ("cells_done", c_uint64), ("cells_total", c_uint64)]


class ProgramStatsStruct(Structure):
    _fields_ = [("tiles_used", c_uint32), ("rounds", c_uint32), ("cells_used", c_uint64),
                ("cells_in_tolerance", c_uint64), ("stuck_cells", c_uint64),
                ("compensated_pairs", c_uint64), ("failed_cells", c_uint64),
                ("pulses", c_uint64), ("target_programs", c_uint64), ("jobs", c_uint64),
                ("pulses_per_cell", c_double), ("in_tolerance_pct", c_double),
                ("err_mean_nsiemens", c_double), ("err_rms_nsiemens", c_double),
                ("err_p99_nsiemens", c_double), ("err_max_nsiemens", c_double),
                ("pair_err_mean_nsiemens", c_double), ("pair_err_max_nsiemens", c_double),
                ("pairs_with_stuck", c_uint64), ("tiles_settled", c_uint32),
                ("tiles_stalled", c_uint32), ("tiles_at_round_cap", c_uint32),
                ("padding", c_uint32), ("tolerance_min_nsiemens", c_uint32),
                ("tolerance_max_nsiemens", c_uint32)]


class RefreshPolicyStruct(Structure):
    _fields_ = [("max_age_ns", c_uint64), ("flags", c_uint32), ("reserved", c_uint32)]


ProgressFn = CFUNCTYPE(c_int, POINTER(ProgramProgressStruct), c_void_p)
_handle_out = POINTER(c_void_p)

# name: (symbol version, return type, argument types)
FUNCTIONS = {
    "aimc_device_count": ("AIMC_2.0", c_int, [c_int]),
    "aimc_device_open": ("AIMC_2.0", c_int, [c_int, c_uint, _handle_out]),
    "aimc_device_open_sim": ("AIMC_2.0", c_int, [POINTER(SimOptionsStruct), _handle_out]),
    "aimc_device_open_node": ("AIMC_2.0", c_int, [c_char_p, _handle_out]),
    "aimc_device_close": ("AIMC_2.0", None, [c_void_p]),
    "aimc_device_info": ("AIMC_2.0", c_int, [c_void_p, POINTER(DeviceInfoStruct), c_size_t]),
    "aimc_device_telemetry": ("AIMC_2.1", c_int,
                              [c_void_p, POINTER(TelemetryStruct), c_size_t]),
    "aimc_device_advance_clock": ("AIMC_2.1", c_int, [c_void_p, c_uint64]),
    "aimc_sim_preset_name": ("AIMC_2.1", c_char_p, [c_uint32]),
    "aimc_backend_name": ("AIMC_2.0", c_char_p, [c_int]),
    "aimc_last_error": ("AIMC_2.0", c_char_p, []),
    "aimc_version": ("AIMC_2.0", c_char_p, []),
    "aimc_model_info": ("AIMC_2.0", c_int, [c_char_p, POINTER(ModelInfoStruct), c_size_t]),
    "aimc_net_open": ("AIMC_2.0", c_int, [c_void_p, c_char_p, c_uint32, _handle_out]),
    "aimc_program_params_init": ("AIMC_2.0", None, [POINTER(ProgramParamsStruct)]),
    "aimc_net_program": ("AIMC_2.0", c_int,
                         [c_void_p, POINTER(ProgramParamsStruct), ProgressFn, c_void_p]),
    "aimc_net_program_stats": ("AIMC_2.0", c_int,
                               [c_void_p, POINTER(ProgramStatsStruct), c_size_t]),
    "aimc_net_refresh": ("AIMC_2.0", c_int, [c_void_p, ProgressFn, c_void_p]),
    "aimc_net_set_refresh_policy": ("AIMC_2.0", c_int,
                                    [c_void_p, POINTER(RefreshPolicyStruct)]),
    "aimc_net_compensate": ("AIMC_2.1", c_int, [c_void_p, c_uint32]),
    "aimc_net_info": ("AIMC_2.0", c_int, [c_void_p, POINTER(NetInfoStruct), c_size_t]),
    "aimc_net_close": ("AIMC_2.0", None, [c_void_p]),
    "aimc_stream_open": ("AIMC_2.0", c_int, [c_void_p, _handle_out]),
    "aimc_stream_set_chunk": ("AIMC_2.0", c_int, [c_void_p, c_uint32]),
    "aimc_stream_push": ("AIMC_2.0", c_int, [c_void_p, c_void_p, c_uint32, c_uint32, c_void_p]),
    "aimc_stream_finish": ("AIMC_2.0", c_int, [c_void_p, c_void_p, c_uint32]),
    "aimc_stream_submit": ("AIMC_2.0", c_int, [c_void_p, c_void_p, c_uint32, c_uint32]),
    "aimc_stream_submit_finish": ("AIMC_2.0", c_int, [c_void_p, c_uint32]),
    "aimc_stream_fd": ("AIMC_2.0", c_int, [c_void_p]),
    "aimc_stream_wait": ("AIMC_2.0", c_int, [c_void_p, c_int64, c_void_p]),
    "aimc_stream_reset": ("AIMC_2.0", c_int, [c_void_p]),
    "aimc_stream_close": ("AIMC_2.0", c_int, [c_void_p]),
}
