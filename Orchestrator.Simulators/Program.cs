using Orchestrator.Simulators;

// The Marketplace on :8002 and the Payment Manager on :8001, as the seed's defaults expect them.
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
await using var simulators = await SimulatorHost.StartAsync(
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

/// <summary>
/// Internal on purpose: the Web SDK makes a top-level Program public unless it is declared, and the Api, which
/// references this project, must have the only public Program (the tests' <c>WebApplicationFactory&lt;Program&gt;</c>).
/// </summary>
internal partial class Program;
