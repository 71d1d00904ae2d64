using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Orchestrator.Simulators.Marketplace;
using Orchestrator.Simulators.PaymentManager;

namespace Orchestrator.Simulators;

/// <summary>
/// The Marketplace and the Payment Manager, each on its own Kestrel address, sharing one ledger of charges.
/// <c>http://127.0.0.1:0</c> picks a free port; the bound addresses are in <see cref="MarketplaceUrl"/> and
/// <see cref="PaymentManagerUrl"/>. A third listener, "elsewhere", is where a hostile marketplace redirects paid
/// reads: it answers nothing useful and records what reaches it (<see cref="SimulatorBehaviour.RequestsElsewhere"/>).
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    readonly WebApplication _marketplace;
    readonly WebApplication _paymentManager;
    readonly WebApplication _elsewhere;

    SimulatorHost(WebApplication marketplace, WebApplication paymentManager, WebApplication elsewhere, PaymentLedger ledger, SimulatorBehaviour behaviour)
    {
        _marketplace = marketplace;
        _paymentManager = paymentManager;
        _elsewhere = elsewhere;
        Ledger = ledger;
        Behaviour = behaviour;
        MarketplaceUrl = BoundAddress(marketplace);
        PaymentManagerUrl = BoundAddress(paymentManager);
    }

    public Uri MarketplaceUrl { get; }
    public Uri PaymentManagerUrl { get; }
    public PaymentLedger Ledger { get; }
    public SimulatorBehaviour Behaviour { get; }

    public static async Task<SimulatorHost> StartAsync(
        string marketplaceUrl,
        string paymentManagerUrl,
        SimulatorBehaviour? behaviour = null,
        string elsewhereUrl = "http://127.0.0.1:0",
        CancellationToken cancellationToken = default)
    {
        behaviour ??= new SimulatorBehaviour();
        var ledger = new PaymentLedger(TimeProvider.System);
        var catalog = new Catalog();

        var marketplace = Build(marketplaceUrl, behaviour, ledger, catalog);
        marketplace.Use(async (context, next) =>
        {
            if (behaviour.MarketplaceOutage)
                await Results.Json(new Detail("Marketplace unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            else
                await next(context);
        });
        marketplace.MapMarketplace();

        var paymentManager = Build(paymentManagerUrl, behaviour, ledger, catalog);
        paymentManager.MapPaymentManager();

        var elsewhere = Build(elsewhereUrl, behaviour, ledger, catalog);
        elsewhere.Run(context =>
        {
            // What reached it, for a test outside the process; that question itself is not recorded.
            if (context.Request.Path == "/received")
                return Results.Json(behaviour.RequestsElsewhere).ExecuteAsync(context);

            behaviour.RecordElsewhere(context.Request.Path.Value ?? "", context.Request.Headers.ContainsKey("x-payment-token"));
            return Results.Json(new { stolen = true }).ExecuteAsync(context);
        });

        await elsewhere.StartAsync(cancellationToken);
        behaviour.ElsewhereUrl = BoundAddress(elsewhere);
        await marketplace.StartAsync(cancellationToken);
        await paymentManager.StartAsync(cancellationToken);
        return new SimulatorHost(marketplace, paymentManager, elsewhere, ledger, behaviour);
    }

    /// <summary>
    /// The simulators alone, until Ctrl+C or SIGTERM: the Marketplace on :8002 and the Payment Manager on :8001, as the
    /// seed's defaults expect them (<c>Simulators:MarketplaceUrl</c>, <c>Simulators:PaymentManagerUrl</c> to change).
    /// </summary>
    public static async Task RunUntilStoppedAsync(IConfiguration configuration)
    {
        await using var simulators = await StartAsync(
            configuration["Simulators:MarketplaceUrl"] ?? "http://localhost:8002",
            configuration["Simulators:PaymentManagerUrl"] ?? "http://localhost:8001",
            SimulatorBehaviour.FromConfiguration(configuration),
            elsewhereUrl: configuration["Simulators:ElsewhereUrl"] ?? "http://127.0.0.1:0");

        Console.WriteLine($"Marketplace on {simulators.MarketplaceUrl}, Payment Manager on {simulators.PaymentManagerUrl}; Ctrl+C stops them.");
        var stopped = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopped.TrySetResult();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.TrySetResult();
        await stopped.Task;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _marketplace.StopAsync(cancellationToken);
        await _paymentManager.StopAsync(cancellationToken);
        await _elsewhere.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _marketplace.DisposeAsync();
        await _paymentManager.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    static WebApplication Build(string url, SimulatorBehaviour behaviour, PaymentLedger ledger, Catalog catalog)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(SimulatorHost).Assembly.GetName().Name });
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(behaviour).AddSingleton(ledger).AddSingleton(catalog).AddSingleton(new X402Facilitator(TimeProvider.System));

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            behaviour.Count(context.Request.Path.Value ?? "");
            if (behaviour.Latency > TimeSpan.Zero)
                await Task.Delay(behaviour.Latency, context.RequestAborted);
            if (context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/ledger")
                || !SimulatorBehaviour.Happens(behaviour.FailureRateBeforeEffect))
                await next(context);
            else
                await Results.Json(new Detail("Simulated failure"), statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(context);
        });
        app.MapGet("/health", () => Results.Ok(new { status = "healthy" }));
        return app;
    }

    static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "localhost", StringComparison.Ordinal) + "/");
}
