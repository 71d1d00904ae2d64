using Orchestrator.Sagas.Persistence;
using Orchestrator.ServiceDefaults;
using Orchestrator.Workflow.Hosting;

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
