using Orchestrator.Simulators;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// <c>Orchestrator.Api simulators</c>: the Marketplace and Payment Manager simulators alone, as docker compose runs
/// them (settings from the environment and the command line), instead of the service.
/// </summary>
static class StandaloneSimulators
{
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args is not ["simulators", .. var settings])
            return false;

        await SimulatorHost.RunUntilStoppedAsync(new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(settings).Build());
        return true;
    }
}
