using System.Text.Json;
using Orchestrator.Api.Security;
using Orchestrator.Worker.Admission;

namespace Orchestrator.Api.Tasks;

public static class TaskApiRegistration
{
    public static IHostApplicationBuilder AddTaskApi(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddScoped<TaskIntake>();
        builder.Services.AddSingleton<KeyedLocks>();
        return builder.AddTaskBacklog();
    }
}
