using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Worker.Hosting;

public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary>
    /// <c>InMemory</c> (the default: the embedded mode, everything in one process) or <c>RabbitMq</c> (the Api and
    /// any number of Workers as separate processes).
    /// </summary>
    [EnumDataType(typeof(BusTransport))]
    public BusTransport Transport { get; set; } = BusTransport.InMemory;
}

public enum BusTransport
{
    InMemory,
    RabbitMq,
}

public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    [Required]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    [Required]
    public string Username { get; set; } = "guest";

    [Required]
    public string Password { get; set; } = "guest";
}
