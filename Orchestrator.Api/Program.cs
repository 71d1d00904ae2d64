using Orchestrator.Api.Dashboard;
using Orchestrator.Api.Hosting;
using Orchestrator.Api.Progress;
using Orchestrator.Api.Tasks;
using Orchestrator.Sagas.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOrchestratorDatabase();
builder.AddTaskProcessing();
builder.AddTaskApi();
builder.AddTaskProgress();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapTaskEndpoints();
app.MapTaskProgress();
app.MapDashboard();
app.MapOpenApi();

app.Run();

public partial class Program;
