package dev.millrace.bench.nexmark;

/** A Nexmark person (a Flink POJO: public fields, public no-argument constructor). */
public class Person {
  public long id;
  public String name;
  public String emailAddress;
  public String creditCard;
  public String city;
  public String state;
  public long dateTime;
  public String extra;

  public Person() {}

  public Person(long id, String name, String emailAddress, String creditCard, String city, String state, long dateTime, String extra) {
    this.id = id;
    this.name = name;
    this.emailAddress = emailAddress;
    this.creditCard = creditCard;
    this.city = city;
    this.state = state;
    this.dateTime = dateTime;
    this.extra = extra;
  }
}
