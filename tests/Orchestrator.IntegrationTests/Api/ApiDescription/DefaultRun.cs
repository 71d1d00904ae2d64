namespace Orchestrator.IntegrationTests.Api.ApiDescription;

/// <summary>
/// The program as <c>dotnet run</c> starts it (embedded, anonymous), on its own SQLite file, with the simulators in
/// the test so that their ledger and latency are the test's.
/// </summary>
public sealed class DefaultRun : IAsyncLifetime
{
    readonly EmbeddedApi _embedded = new();

    public HostProcess Api { get; private set; } = null!;

    public SimulatorHost Simulators => _embedded.Simulators;

    public async Task InitializeAsync()
    {
        await _embedded.InitializeAsync();
        Api = await _embedded.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await _embedded.DisposeAsync();
    }
}
