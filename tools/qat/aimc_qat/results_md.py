"""RESULTS.md from the saved results (aimc_qat.results)."""


def render(results, args):
    return "# aimc QAT results\n\n(rendering pending)\n"
