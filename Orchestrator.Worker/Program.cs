using Orchestrator.Worker.Hosting;
using Orchestrator.Worker.Hosting.AllHosts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOrchestratorDatabase();
builder.AddResearchWorkflow();

var app = builder.Build();

if (args is ["migrate"])
{
    await app.Services.MigrateOrchestratorDatabaseAsync();
    return;
}

app.MapDefaultEndpoints();

await app.RunAsync();

/// <summary>
/// Internal on purpose: the Web SDK makes a top-level Program public unless it is declared, and the Api, which
/// references this project, must have the only public Program (the tests' <c>WebApplicationFactory&lt;Program&gt;</c>).
/// </summary>
internal partial class Program;
