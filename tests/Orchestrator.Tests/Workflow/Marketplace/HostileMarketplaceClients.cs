using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orchestrator.Simulators;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Hosting;

namespace Orchestrator.Tests.Workflow.Marketplace;

/// <summary>The production clients (Refit, resilience, limits) in front of the simulators in a hostile mode.</summary>
public sealed class HostileMarketplaceClients : IAsyncDisposable
{
    readonly ServiceProvider _services;
    readonly AsyncServiceScope _scope;

    HostileMarketplaceClients(SimulatorHost simulators, ServiceProvider services)
    {
        Simulators = simulators;
        _services = services;
        _scope = services.CreateAsyncScope();
    }

    public SimulatorHost Simulators { get; }

    public T Get<T>()
        where T : notnull => _scope.ServiceProvider.GetRequiredService<T>();

    public static async Task<HostileMarketplaceClients> StartAsync(Hostility hostility, int maxRetries = 1, double httpTimeout = 5, long maxResponseBytes = 1024 * 1024)
    {
        var simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0", new SimulatorBehaviour { Hostility = hostility });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [WorkflowOptions.MarketplaceUrlKey] = simulators.MarketplaceUrl.ToString(),
            [WorkflowOptions.PaymentManagerUrlKey] = simulators.PaymentManagerUrl.ToString(),
            ["HTTP_TIMEOUT"] = httpTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MAX_RETRIES"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RETRY_DELAY"] = "0.01",
            ["Marketplace:MaxResponseBytes"] = maxResponseBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddResearchClients();
        return new HostileMarketplaceClients(simulators, builder.Services.BuildServiceProvider());
    }

    /// <summary>A funded token that has paid for <paramref name="itemId"/>, bought the way a buyer would.</summary>
    public string Buy(int itemId, long budget = 1000)
    {
        var token = Simulators.Ledger.IssueToken(budget);
        var (outcome, _, _) = Simulators.Ledger.Pay(token, amount: PriceOf(itemId), itemId, $"test-{itemId}");
        Assert.Equal(Orchestrator.Simulators.PaymentOutcome.Charged, outcome);
        return token;
    }

    static long PriceOf(int itemId) => new Orchestrator.Simulators.Marketplace.Catalog().Find(itemId)!.Price;

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _services.DisposeAsync();
        await Simulators.DisposeAsync();
    }
}
