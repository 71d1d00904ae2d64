using System.Text;
using System.Text.Json;
using Orchestrator.Api.Security;
using Orchestrator.ServiceDefaults;
using Orchestrator.Workflow.Admission;
using Orchestrator.Workflow.Hosting;

namespace Orchestrator.Api.Tasks;

public static class TaskApiRegistration
{
    public static IHostApplicationBuilder AddTaskApi(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddScoped<TaskIntake>();
        builder.Services.AddSingleton<TaskRecorder>();
        builder.AddSpendingControls();

        // Embedded, a key is made and kept in the data folder; every other Api must be given the one they share.
        var embedded = builder.UsesInMemoryBus();
        builder.Services.AddOptions<IntakeOptions>()
            .BindConfiguration(IntakeOptions.Section)
            .Validate(
                intake => intake.SubmissionKey is { Length: > 0 } || embedded,
                $"{IntakeOptions.SubmissionKeyName} is required unless the Api runs embedded (at least {IntakeOptions.MinSubmissionKeyBytes} bytes, the same for every Api)")
            .Validate(
                intake => intake.SubmissionKey is not { Length: > 0 } key || Encoding.UTF8.GetByteCount(key) >= IntakeOptions.MinSubmissionKeyBytes,
                $"{IntakeOptions.SubmissionKeyName} must be at least {IntakeOptions.MinSubmissionKeyBytes} bytes")
            .ValidateOnStart();
        builder.Services.AddSingleton(services => SubmissionHashes.Create(
            services.GetRequiredService<IOptions<IntakeOptions>>().Value, services.GetRequiredService<IHostEnvironment>()));
        builder.Services.AddSingleton<KeyedLocks>();
        return builder.AddTaskBacklog();
    }
}
