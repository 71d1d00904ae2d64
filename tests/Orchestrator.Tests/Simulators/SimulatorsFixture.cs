using Orchestrator.Simulators;

namespace Orchestrator.Tests.Simulators;

/// <summary>Both simulators on free ports, with plain HTTP clients as a buyer would use them.</summary>
public sealed class SimulatorsFixture : IAsyncLifetime
{
    public SimulatorHost Host { get; private set; } = null!;
    public HttpClient Marketplace { get; private set; } = null!;
    public HttpClient PaymentManager { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        Marketplace = new HttpClient { BaseAddress = Host.MarketplaceUrl };
        PaymentManager = new HttpClient { BaseAddress = Host.PaymentManagerUrl };
    }

    public async Task DisposeAsync()
    {
        Marketplace.Dispose();
        PaymentManager.Dispose();
        await Host.DisposeAsync();
    }
}
